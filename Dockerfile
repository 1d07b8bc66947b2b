# The api, worker and simulators images: one build, three commands (see docker-compose.yml).
FROM node:20-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev
COPY . .
USER node
CMD ["npx", "tsx", "app/api-main.ts"]
