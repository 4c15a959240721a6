import { describe, expect, it } from '@jest/globals';
import { z } from 'zod';
import { defineJob, type JobDefinition } from './define.js';
import { JOB_NAMES } from './names.js';
import { checkRegistry, jobByName, jobs, RegistryError } from './registry.js';

function fakeJob(name: string): JobDefinition {
  return {
    name: name as JobDefinition['name'],
    queue: 'housekeeping',
    schema: z.object({}),
    handler: async () => undefined,
  };
}

function registryError(fn: () => void): RegistryError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(RegistryError);
    return err as RegistryError;
  }
  throw new Error('checkRegistry accepted the registry');
}

describe('checkRegistry', () => {
  it('passes for the real jobs', () => {
    expect(() => checkRegistry(jobs)).not.toThrow();
  });

  it('the real registry has exactly one definition per job name', () => {
    for (const name of JOB_NAMES) {
      expect(jobs.filter((j) => j.name === name)).toHaveLength(1);
      expect(jobByName(name)?.name).toBe(name);
    }
    expect(jobByName('no.such-job')).toBeUndefined();
  });

  it('fails naming a job name that has no definition', () => {
    const err = registryError(() => checkRegistry([fakeJob('a.one')], ['a.one', 'a.two']));
    expect(err.message).toMatch(/a\.two: no handler/);
    expect(err.message).not.toMatch(/a\.one/);
  });

  it('fails naming a job name that has two definitions', () => {
    const err = registryError(() =>
      checkRegistry([fakeJob('a.one'), fakeJob('a.one'), fakeJob('a.two')], ['a.one', 'a.two']),
    );
    expect(err.message).toMatch(/a\.one: 2 handlers/);
    expect(err.message).not.toMatch(/a\.two/);
  });

  it('fails naming a definition whose name is unknown', () => {
    const err = registryError(() => checkRegistry([...jobs, fakeJob('mystery.job')]));
    expect(err.message).toMatch(/mystery\.job: not a known job name/);
  });

  it('lists every problem at once', () => {
    const err = registryError(() =>
      checkRegistry([fakeJob('a.one'), fakeJob('a.one'), fakeJob('stray')], ['a.one', 'a.missing']),
    );
    expect(err.message).toMatch(/a\.one: 2 handlers/);
    expect(err.message).toMatch(/a\.missing: no handler/);
    expect(err.message).toMatch(/stray: not a known job name/);
  });

  it('defineJob returns the definition unchanged', () => {
    const def = fakeJob('housekeeping.purge-expired') as JobDefinition<
      z.ZodType,
      'housekeeping.purge-expired'
    >;
    expect(defineJob(def)).toBe(def);
  });
});
