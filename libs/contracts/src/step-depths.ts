/**
 * How far each step of a workflow is from a root: the number of steps before it on the longest
 * path of `dependsOn`. Clients draw a workflow's graph by it (the CLI's live view, the dashboard's
 * graph), one column or row per depth. Free of imports, so the dashboard's bundle can take it.
 */
export function depthsOf(steps: { stepId: string; dependsOn: string[] }[]): Map<string, number> {
  const byId = new Map(steps.map((step) => [step.stepId, step]));
  const depths = new Map<string, number>();
  const depthOf = (stepId: string, seen: Set<string>): number => {
    const known = depths.get(stepId);
    if (known !== undefined) return known;
    const step = byId.get(stepId);
    if (!step || seen.has(stepId)) return 0;
    seen.add(stepId);
    const depth = Math.max(-1, ...step.dependsOn.map((id) => depthOf(id, seen))) + 1;
    depths.set(stepId, depth);
    return depth;
  };
  for (const step of steps) depthOf(step.stepId, new Set());
  return depths;
}
