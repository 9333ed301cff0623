import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { loadAgentModules } from './agent-modules.loader';

const ECHO_AGENT = `{ descriptor: { name: 'echo', version: '1.0.0', description: 'echoes' }, execute: async (context) => context.input }`;

describe('loadAgentModules (AGENT_MODULES)', () => {
  let folder: string;
  /** Writes a CommonJS module into the temp folder and returns its absolute path. */
  const agentModule = (name: string, source: string) => {
    const file = join(folder, `${name}.js`);
    writeFileSync(file, source);
    return file;
  };

  beforeAll(() => {
    folder = mkdtempSync(join(tmpdir(), 'agent-modules-'));
  });

  afterAll(() => {
    rmSync(folder, { recursive: true, force: true });
  });

  it('loads nothing when the list is unset or blank', () => {
    expect(loadAgentModules(undefined)).toEqual([]);
    expect(loadAgentModules(' , ')).toEqual([]);
  });

  it('loads the agents of every listed module: exports.createAgents, or the default export’s createAgents', () => {
    const named = agentModule('named', `exports.createAgents = () => [${ECHO_AGENT}];`);
    const asDefault = agentModule(
      'as-default',
      `Object.defineProperty(exports, '__esModule', { value: true });
       exports.default = { prefix: 'default', createAgents() { return [{ ...${ECHO_AGENT}, descriptor: { name: this.prefix } }]; } };`,
    );
    const agents = loadAgentModules(` ${named} ,${asDefault}`);
    expect(agents.map((agent) => agent.descriptor.name)).toEqual(['echo', 'default']);
  });

  it('takes a relative path from the working directory, with or without the extension', () => {
    const file = agentModule('relative', `module.exports = { createAgents: () => [${ECHO_AGENT}] };`);
    const path = relative(process.cwd(), file).replace(/\.js$/, '');
    expect(loadAgentModules(path)).toHaveLength(1);
  });

  it('names the resolved path of a module that is not there', () => {
    const missing = join(folder, 'nowhere', 'agents.js');
    expect(() => loadAgentModules(missing)).toThrow(`AGENT_MODULES: no module at ${missing}`);
    const path = relative(process.cwd(), missing);
    expect(() => loadAgentModules(path)).toThrow(
      `AGENT_MODULES: no module at ${missing} ("${path}" taken from the working directory, ${process.cwd()})`,
    );
  });

  it('names a module that fails to load, with its error', () => {
    const broken = agentModule('broken', `require('./not-installed');`);
    expect(() => loadAgentModules(broken)).toThrow(
      `AGENT_MODULES: ${broken} failed to load: Cannot find module './not-installed'`,
    );
  });

  it.each([
    ['exports no createAgents()', `exports.agents = [];`, 'does not export createAgents()'],
    [
      'has a createAgents() that throws',
      `exports.createAgents = () => { throw new Error('no key'); };`,
      'threw: no key',
    ],
    ['returns an object', `exports.createAgents = () => (${ECHO_AGENT});`, 'but it returned an object'],
    ['returns a promise', `exports.createAgents = async () => [${ECHO_AGENT}];`, 'but it returned a promise'],
    [
      'returns an agent without a name',
      `exports.createAgents = () => [{ descriptor: {}, execute() {} }];`,
      'but item 0 has no descriptor.name',
    ],
    [
      'returns an agent without execute',
      `exports.createAgents = () => [{ descriptor: { name: 'lazy' } }];`,
      'but agent "lazy" has no execute function',
    ],
  ])('refuses a module that %s, naming it', (name, source, problem) => {
    const file = agentModule(name.replace(/\W+/g, '-'), source);
    let message = '';
    try {
      loadAgentModules(file);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/^AGENT_MODULES: /);
    expect(message).toContain(file);
    expect(message).toContain(problem);
  });
});
