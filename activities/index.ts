/**
 * Activities as a factory over injected clients: the worker wires the real FHIR, HL7 and
 * X12 clients, tests wire simulators or fakes, and workflows import only the type.
 */
import type { Db } from '../db/knex';
import type { ContractLookup } from '../db/posting';
import type { ClearinghouseClient } from '../integrations/clearinghouse/types';
import type { EhrClient } from '../integrations/ehr/types';
import type { PmsClient } from '../integrations/pms/types';
import { billingActivities } from './billing';
import { clearinghouseActivities, type X12Settings } from './clearinghouse';
import { pollClearinghouseMailbox, type MailboxDeps, type MailboxPoll } from './clearinghouse-mailbox';
import { ehrActivities } from './ehr';
import { withFailureMapping } from './failures';
import { patientActivities } from './patient';
import { pmsActivities } from './pms';
import { scrubActivities } from './scrub';

export interface ActivityDeps {
  db: Db;
  ehr: EhrClient;
  pms: PmsClient;
  clearinghouse: ClearinghouseClient;
  x12: X12Settings;
  /** The contracted amount per line (fee schedule); the fee schedule in Postgres (db/posting.ts `feeScheduleContracts`) by default. */
  contracted?: ContractLookup;
  /** A batch transport's mailbox (CORE retrieval, SFTP outbound); none with the HTTP transport, whose answers come by webhook. */
  mailbox?: Omit<MailboxDeps, 'db'>;
}

export function createActivities(deps: ActivityDeps) {
  return withFailureMapping({
    ...billingActivities(deps.db, deps.contracted),
    ...scrubActivities(deps.db),
    ...ehrActivities(deps.db, deps.ehr, deps.clearinghouse),
    ...pmsActivities(deps.db, deps.pms, deps.x12.practice.billingProvider.address.postalCode),
    ...patientActivities(deps.db),
    ...clearinghouseActivities(deps.db, deps.clearinghouse, deps.x12),
    async pollClearinghouseMailbox(): Promise<MailboxPoll> {
      return deps.mailbox ? pollClearinghouseMailbox({ db: deps.db, ...deps.mailbox }) : { read: 0, received: 0, delivered: 0 };
    },
  });
}

export type VisitActivities = ReturnType<typeof createActivities>;
