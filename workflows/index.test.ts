import * as workflows from './index';
import { encounterSweepWorkflowType, registrationChangeWorkflowType, visitWorkflowType } from './definitions';

test('the type names clients start workflows by are the names the worker registers', () => {
  expect(Object.keys(workflows)).toEqual(expect.arrayContaining([visitWorkflowType, registrationChangeWorkflowType, encounterSweepWorkflowType]));
});
