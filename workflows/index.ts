/** The workflow bundle's entry point: every workflow the worker runs. */
export { denialWorkflow } from './denial';
export { patientBalanceWorkflow } from './patient-balance';
export { registrationChangeWorkflow } from './registration';
export { encounterSweepWorkflow } from './sweep';
export { visitWorkflow } from './visit/visit';
export { clearinghouseMailboxWorkflow } from './clearinghouse-mailbox';
