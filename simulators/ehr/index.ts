export { startEhrSimulator, type EhrSimulator, type EhrSimulatorOptions } from './server';
export { SignEncounterInput, VisitNotPrepopulatedError } from './clinician';
export { startAuthorizationServer, type AuthorizationServer } from './authorization-server';
