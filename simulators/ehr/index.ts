export { startEhrSimulator, type EhrSimulator, type EhrSimulatorOptions } from './server';
export { SignEncounterInput, VisitNotPrepopulatedError } from './clinician';
