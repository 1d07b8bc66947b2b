# The api, worker and simulators images: one build, three commands (see docker-compose.yml).
FROM node:20-bookworm-slim
WORKDIR /app
# Production fails closed (config/index.ts): no codec keys, webhook secrets or TLS to Temporal, no start.
ENV NODE_ENV=production
COPY package.json package-lock.json ./
RUN npm ci --omit=dev
COPY . .
USER node
CMD ["npx", "tsx", "app/api-main.ts"]
