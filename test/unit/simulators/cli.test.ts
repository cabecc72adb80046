import { describe, expect, it } from 'vitest';
import { parseSimulatorArgs } from '../../../src/simulators/cli.js';

describe('simulate CLI arguments', () => {
  it('parses the CRM and numeric options with defaults', () => {
    expect(parseSimulatorArgs(['hubspot'])).toEqual({ crm: 'hubspot', port: 0, seed: 1, contacts: 1000 });
    expect(parseSimulatorArgs(['salesforce', '--port', '4010', '--seed', '9', '--contacts', '50'])).toEqual({ crm: 'salesforce', port: 4010, seed: 9, contacts: 50 });
  });

  it('explains what is wrong', () => {
    expect(() => parseSimulatorArgs(['pipedrive'])).toThrow(/usage: simulate hubspot\|salesforce/);
    expect(() => parseSimulatorArgs(['hubspot', '--contacts', '0'])).toThrow(/--contacts must be an integer >= 1/);
    expect(() => parseSimulatorArgs(['hubspot', '--port', 'abc'])).toThrow(/--port/);
  });
});
