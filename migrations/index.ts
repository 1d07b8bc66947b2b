/**
 * Migrations listed in code rather than discovered on disk, so they run the same
 * under tsx, jest and compiled JavaScript. Append new ones; never edit a shipped one.
 */
import type { Knex } from 'knex';
import * as billingRecord from './20261127_001_billing_record';
import * as claims837Lines from './20261128_claims837_001_lines_batches_cob';
import * as codeSets from './20261128_claimsrules_001_code_sets';
import * as cyclePosting from './20261128_cycle_001_posting';
import * as reportingVisitEvents from './20261128_reporting_001_visit_events';
import * as reports2KpiRollups from './20261129_reports2_001_kpi_rollups';
import * as trustApiKeysAudit from './20261128_trust_001_api_keys_audit';
import * as leadAppeals from './20261129_lead_001_appeals';
import * as leadPaymentClaimNumber from './20261129_lead_002_payment_claim_number';
import * as patientBalances from './20261130_patient_001_balances';
import * as postingRemittanceQueue from './20261208_posting_001_remittance_queue';
import * as sessions from './20261208_session_001_sessions';
import * as prodAuditChain from './20261208_prod_001_audit_chain';
import * as prodApiKeyExpiry from './20261208_prod_002_api_key_expiry';
import * as ruledataIcdNotes from './20261208_ruledata_001_icd_notes';
import * as ruledataMceEdits from './20261208_ruledata_002_mce_edits';
import * as ruledataReleaseSource from './20261208_ruledata_003_release_source';
import * as ruledataMedicarePfs from './20261208_ruledata_004_medicare_pfs';
import * as connectInboundFiles from './20261208_connect_001_inbound_files';

const migrations: Record<string, Knex.Migration> = {
  '20261127_001_billing_record': billingRecord,
  '20261128_claims837_001_lines_batches_cob': claims837Lines,
  '20261128_claimsrules_001_code_sets': codeSets,
  '20261128_cycle_001_posting': cyclePosting,
  '20261128_reporting_001_visit_events': reportingVisitEvents,
  '20261128_trust_001_api_keys_audit': trustApiKeysAudit,
  '20261129_lead_001_appeals': leadAppeals,
  '20261129_lead_002_payment_claim_number': leadPaymentClaimNumber,
  '20261129_reports2_001_kpi_rollups': reports2KpiRollups,
  '20261130_patient_001_balances': patientBalances,
  '20261208_posting_001_remittance_queue': postingRemittanceQueue,
  '20261208_session_001_sessions': sessions,
  '20261208_prod_001_audit_chain': prodAuditChain,
  '20261208_prod_002_api_key_expiry': prodApiKeyExpiry,
  '20261208_ruledata_001_icd_notes': ruledataIcdNotes,
  '20261208_ruledata_002_mce_edits': ruledataMceEdits,
  '20261208_ruledata_003_release_source': ruledataReleaseSource,
  '20261208_ruledata_004_medicare_pfs': ruledataMedicarePfs,
  '20261208_connect_001_inbound_files': connectInboundFiles,
};

export const migrationSource: Knex.MigrationSource<string> = {
  getMigrations: async () => Object.keys(migrations),
  getMigrationName: (name) => name,
  getMigration: async (name) => migrations[name],
};
