import { ValidationError } from '@app/agent-sdk';
import { WorkflowType } from '@app/contracts';
import { compileWorkflowGraph } from '@app/workflow-store';
import Ajv from 'ajv';
import {
  BUILT_IN_WORKFLOWS,
  PLAN_APPROVAL_VARIANTS,
  withAuditRevisions,
} from './website-workflows.definition';
import { readSiteReference, readSiteRequest } from './workflow-input.model';
import { MAX_REQUEST_LENGTH } from './workflow-input.schema';

/** The options the gateway compiles input schemas with. */
const ajv = new Ajv({ allErrors: true, allowUnionTypes: true });

const definitionOf = (type: WorkflowType) =>
  BUILT_IN_WORKFLOWS.find((definition) => definition.type === type)!;
const schemaAccepts = (type: WorkflowType, input: Record<string, unknown>): boolean =>
  ajv.validate(definitionOf(type).inputSchema!, input);
const agentsAccept = (read: (input: Record<string, unknown>) => unknown, input: Record<string, unknown>) => {
  try {
    read(input);
    return true;
  } catch (error) {
    if (error instanceof ValidationError) return false;
    throw error;
  }
};

describe("the website builder's built-in workflows", () => {
  it('are the four website workflow types, each with a graph that compiles and an input schema', () => {
    expect(BUILT_IN_WORKFLOWS.map((definition) => definition.type)).toEqual([
      WorkflowType.CreateSite,
      WorkflowType.UpdateSite,
      WorkflowType.AuditOnly,
      WorkflowType.DeployOnly,
    ]);
    for (const definition of BUILT_IN_WORKFLOWS) {
      expect(compileWorkflowGraph(definition, () => null).order).toHaveLength(definition.steps.length);
      expect(ajv.validateSchema(definition.inputSchema!)).toBe(true);
    }
  });

  it('send a site below the audit threshold back to the builder, twice by default, or as configured', () => {
    for (const definition of [
      definitionOf(WorkflowType.CreateSite),
      definitionOf(WorkflowType.UpdateSite),
      ...PLAN_APPROVAL_VARIANTS,
    ]) {
      expect(compileWorkflowGraph(definition, () => null).revisions).toEqual({
        audit: { step: 'builder', maxIterations: 3, steps: ['builder'] },
      });
      const once = compileWorkflowGraph(withAuditRevisions(definition, 0), () => null);
      expect(once.revisions?.audit.maxIterations).toBe(1);
    }
    const auditOnly = definitionOf(WorkflowType.AuditOnly);
    expect(withAuditRevisions(auditOnly, 5)).toBe(auditOnly);
  });

  describe.each([WorkflowType.CreateSite, WorkflowType.UpdateSite])(
    '%s: the schema refuses what the planner and memory refuse',
    (type) => {
      it.each([
        ['a request', { request: 'Create a blog about sourdough baking' }],
        ['the longest request', { request: 'x'.repeat(MAX_REQUEST_LENGTH) }],
        ['no request', {}],
        ['an empty request', { request: '' }],
        ['a request of spaces only', { request: ' \n\t ' }],
        ['a request too long', { request: 'x'.repeat(MAX_REQUEST_LENGTH + 1) }],
        ['a request that is no string', { request: 42 }],
        ['a null request', { request: null }],
      ])('%s', (_, input) => {
        expect(schemaAccepts(type, input)).toBe(agentsAccept(readSiteRequest, input));
      });

      it('refuses an unknown field, which the agents would ignore', () => {
        expect(schemaAccepts(type, { request: 'Create a blog', requset: 'typo' })).toBe(false);
      });

      it('takes `user_input` as another name of `request`', () => {
        expect(definitionOf(type).inputAliases).toEqual({ user_input: 'request' });
      });
    },
  );

  describe.each([WorkflowType.AuditOnly, WorkflowType.DeployOnly])(
    '%s: the schema refuses what the audit and deploy agents refuse',
    (type) => {
      it.each([
        ['a site', { siteId: 'tea-blog-3f2a' }],
        ['a site and a version', { siteId: 'tea-blog-3f2a', version: 2 }],
        ['a null version', { siteId: 'tea-blog-3f2a', version: null }],
        ['no site', {}],
        ['an empty site id', { siteId: '' }],
        ['a site id that is no string', { siteId: 7 }],
        ['version 0', { siteId: 'tea-blog-3f2a', version: 0 }],
        ['a fractional version', { siteId: 'tea-blog-3f2a', version: 1.5 }],
        ['a version as text', { siteId: 'tea-blog-3f2a', version: '2' }],
      ])('%s', (_, input) => {
        expect(schemaAccepts(type, input)).toBe(agentsAccept(readSiteReference, input));
      });

      it('refuses a site id no site can have, which the repository would refuse later', () => {
        expect(schemaAccepts(type, { siteId: '../etc' })).toBe(false);
        expect(schemaAccepts(type, { siteId: 'Tea Blog' })).toBe(false);
      });

      it('refuses an unknown field, such as a misspelt version', () => {
        expect(schemaAccepts(type, { siteId: 'tea-blog-3f2a', verison: 2 })).toBe(false);
      });

      it('declares no alias', () => {
        expect(definitionOf(type).inputAliases).toBeUndefined();
      });
    },
  );
});
