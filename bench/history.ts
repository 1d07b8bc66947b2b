/**
 * What a visit costs Temporal, read from its workflow history: events, bytes, the shape
 * (activities, signals, timers, search-attribute upserts, updates) the baseline copies,
 * and when each stage was entered (the VisitStage upserts) and the claim accepted.
 */
import type { Client } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import { temporal } from '@temporalio/proto';

type History = temporal.api.history.v1.IHistory;
const E = temporal.api.enums.v1.EventType;

export interface Shape {
  activities: number;
  signals: number;
  timers: number;
  upserts: number;
  updates: number;
}

export interface VisitCost {
  events: number;
  /** The whole history as the server stores it (protobuf). */
  historyBytes: number;
  /** Only the payloads in it (inputs, results, signal and update arguments). */
  payloadBytes: number;
  shape: Shape;
  /** Stage → milliseconds since the workflow started when it was entered. */
  stagesAt: { stage: string; at: number }[];
  signedAt?: number;
  acceptedAt?: number;
}

const ms = (t: temporal.api.history.v1.IHistoryEvent['eventTime']) => Number(t?.seconds ?? 0) * 1000 + Math.floor((t?.nanos ?? 0) / 1e6);

function payloadBytes(msg: unknown): number {
  if (!msg || typeof msg !== 'object') return 0;
  if (msg instanceof Uint8Array) return 0;
  let n = 0;
  for (const [k, v] of Object.entries(msg)) {
    if (k === 'data' && v instanceof Uint8Array) n += v.length;
    else if (Array.isArray(v)) for (const x of v) n += payloadBytes(x);
    else if (v && typeof v === 'object') n += payloadBytes(v);
  }
  return n;
}

type Payload = temporal.api.common.v1.IPayload;

/**
 * `decoded` holds the signal payloads the client's codec opened (costsOf): with the PHI
 * codec on, as `npm start` runs, a 277CA's signal input is sealed (binary/encrypted).
 */
export function costOf(history: History, decoded: Map<Payload, Payload> = new Map()): VisitCost {
  const events = history.events ?? [];
  const start = ms(events[0]?.eventTime);
  const count = (t: number) => events.filter((e) => e.eventType === t).length;
  const cost: VisitCost = {
    events: events.length,
    historyBytes: temporal.api.history.v1.History.encode(history).finish().length,
    payloadBytes: payloadBytes(history),
    shape: {
      activities: count(E.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED),
      signals: count(E.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED),
      timers: count(E.EVENT_TYPE_TIMER_STARTED),
      upserts: count(E.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES),
      updates: count(E.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED),
    },
    stagesAt: [],
  };
  for (const e of events) {
    const at = ms(e.eventTime) - start;
    const stage = e.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields?.VisitStage;
    if (stage) cost.stagesAt.push({ stage: defaultPayloadConverter.fromPayload<string>(stage), at });
    const signal = e.workflowExecutionSignaledEventAttributes;
    if (signal?.signalName === 'encounterSigned') cost.signedAt ??= at;
    const input = signal?.signalName === 'claimAcknowledged' ? signal.input?.payloads?.[0] : undefined;
    if (input) {
      const ack = defaultPayloadConverter.fromPayload<{ kind: string; accepted: boolean }>(decoded.get(input) ?? input);
      if (ack.kind === '277CA' && ack.accepted) cost.acceptedAt ??= at;
    }
  }
  return cost;
}

export async function costsOf(client: Client, workflowIds: string[], onProgress?: (read: number, total: number) => void, parallel = 8): Promise<VisitCost[]> {
  const out: VisitCost[] = [];
  const queue = [...workflowIds];
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      for (let id = queue.shift(); id; id = queue.shift()) {
        const history = await client.workflow.getHandle(id).fetchHistory();
        out.push(costOf(history, await decodedAcks(client, history)));
        onProgress?.(out.length, workflowIds.length);
      }
    }),
  );
  return out;
}

/** The claimAcknowledged signal payloads, opened by the client's payload codecs (applied in reverse, as a decode is). */
async function decodedAcks(client: Client, history: History): Promise<Map<Payload, Payload>> {
  const codecs = client.options.loadedDataConverter.payloadCodecs;
  const decoded = new Map<Payload, Payload>();
  if (!codecs.length) return decoded;
  for (const e of history.events ?? []) {
    const signal = e.workflowExecutionSignaledEventAttributes;
    const input = signal?.signalName === 'claimAcknowledged' ? signal.input?.payloads?.[0] : undefined;
    if (!input) continue;
    let payloads = [input];
    for (const codec of [...codecs].reverse()) payloads = await codec.decode(payloads);
    decoded.set(input, payloads[0]);
  }
  return decoded;
}
