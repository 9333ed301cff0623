/**
 * The steps a quality loop ran again when its check sent work back: the target, every step
 * between it and the checking step, and the checker (as the store's revise transition resets
 * them). Clients mark them with the iteration from the revision's log event, whose `stepId` is
 * the checker and whose metadata holds `{ iteration, maxIterations, target }`. Free of imports,
 * so the dashboard's bundle can take it.
 */
export function revisionStepsOf(
  steps: { stepId: string; dependsOn: string[] }[],
  checker: string,
  target: string,
): string[] {
  const byId = new Map(steps.map((step) => [step.stepId, step]));
  const ancestors = new Map<string, Set<string>>();
  const ancestorsOf = (stepId: string): Set<string> => {
    const known = ancestors.get(stepId);
    if (known) return known;
    const found = new Set<string>();
    ancestors.set(stepId, found);
    for (const dependency of byId.get(stepId)?.dependsOn ?? []) {
      found.add(dependency);
      for (const further of ancestorsOf(dependency)) found.add(further);
    }
    return found;
  };
  const beforeChecker = ancestorsOf(checker);
  return steps
    .map((step) => step.stepId)
    .filter(
      (id) => id === checker || id === target || (ancestorsOf(id).has(target) && beforeChecker.has(id)),
    );
}

/** The loop's place a revision's log event carries in its metadata, or null for any other line. */
export function revisionOf(
  metadata: Record<string, unknown> | undefined,
): { iteration: number; maxIterations: number; target: string } | null {
  const { iteration, maxIterations, target } = metadata ?? {};
  if (typeof iteration !== 'number' || typeof maxIterations !== 'number' || typeof target !== 'string')
    return null;
  return { iteration, maxIterations, target };
}
