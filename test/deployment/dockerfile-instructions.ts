// Reading a Dockerfile's instructions and its build context's ignore rules, for the specs that
// check the images' shape without a Docker daemon.

export interface Instruction {
  keyword: string;
  arguments: string;
}
export interface Stage {
  base: string;
  name?: string;
  instructions: Instruction[];
}

/** Instructions of a Dockerfile: comments dropped, `\` continuations joined. */
export function parseDockerfile(text: string): { globalArgs: Record<string, string>; stages: Stage[] } {
  const logicalLines = text
    .split('\n')
    .filter((line) => !/^\s*#/.test(line))
    .join('\n')
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
  const globalArgs: Record<string, string> = {};
  const stages: Stage[] = [];
  for (const line of logicalLines) {
    const [, keyword, rest] = /^(\S+)\s*(.*)$/.exec(line) as RegExpExecArray;
    const instruction = { keyword: keyword.toUpperCase(), arguments: rest.replace(/\s+/g, ' ') };
    if (instruction.keyword === 'FROM') {
      const [, base, name] =
        /^(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?$/i.exec(instruction.arguments) ?? [];
      stages.push({
        base: base.replace(/\$\{?(\w+)\}?/g, (_, arg: string) => globalArgs[arg] ?? ''),
        name,
        instructions: [],
      });
    } else if (stages.length === 0 && instruction.keyword === 'ARG') {
      const [name, value = ''] = instruction.arguments.split('=');
      globalArgs[name] = value;
    } else {
      stages[stages.length - 1].instructions.push(instruction);
    }
  }
  return { globalArgs, stages };
}

/** The build-context paths the Dockerfile's COPY instructions read (not those copied from a stage). */
export function copiedSources(dockerfile: { stages: Stage[] }): string[] {
  return dockerfile.stages
    .flatMap((stage) => stage.instructions)
    .filter((instruction) => instruction.keyword === 'COPY' && !/--from=/.test(instruction.arguments))
    .flatMap((copy) =>
      copy.arguments
        .split(' ')
        .filter((part) => !part.startsWith('--'))
        .slice(0, -1),
    );
}

/** The rules of a .dockerignore file, in order, without comments and blank lines. */
export function ignoreFileRules(text: string): string[] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'));
}
