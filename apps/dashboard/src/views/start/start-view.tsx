import { useEffect, useMemo, useState } from 'preact/hooks';
import type { JsonSchema, WorkflowDefinition } from '../../api/types';
import { Notice } from '../../components/notice';
import { location, navigate } from '../../router';
import { StartStore } from './start.store';

/** Fields of a schema the form can show as inputs: strings and numbers at the top level. */
function simpleFields(schema: JsonSchema | undefined): [string, JsonSchema][] | null {
  if (!schema?.properties) return null;
  const fields = Object.entries(schema.properties);
  const isSimple = fields.every(([, field]) => {
    const types = Array.isArray(field.type) ? field.type : [field.type];
    return types.every(
      (type) => type === 'string' || type === 'integer' || type === 'number' || type === 'null',
    );
  });
  return isSimple && fields.length > 0 ? fields : null;
}

function parseObject(text: string, what: string): { value?: Record<string, unknown>; error?: string } {
  if (!text.trim()) return { value: {} };
  try {
    const value: unknown = JSON.parse(text);
    if (!value || typeof value !== 'object' || Array.isArray(value))
      return { error: `${what} must be a JSON object` };
    return { value: value as Record<string, unknown> };
  } catch (error) {
    return { error: `${what} is not valid JSON: ${(error as Error).message}` };
  }
}

export function StartView() {
  const store = useMemo(() => new StartStore(), []);
  useEffect(() => void store.load(), []);
  const definitions = store.definitions.value;
  const [type, setType] = useState(location.value.query.get('type') ?? '');
  const definition: WorkflowDefinition | undefined =
    definitions.find((candidate) => candidate.type === type) ?? definitions[0];
  const fields = simpleFields(definition?.inputSchema);
  const [values, setValues] = useState<Record<string, string>>({});
  const [inputJson, setInputJson] = useState('{}');
  const [preferencesJson, setPreferencesJson] = useState('');
  const [localErrors, setLocalErrors] = useState<Record<string, string>>({});

  const serverErrors = store.fieldErrors.value;
  const errorFor = (path: string) =>
    localErrors[path] ??
    serverErrors
      .filter((error) => error.path === path)
      .map((error) => error.message)
      .join('; ');
  const otherErrors = serverErrors.filter(
    (error) => !(fields ?? []).some(([name]) => error.path === `/${name}`) || !fields,
  );

  const submit = async (event: Event) => {
    event.preventDefault();
    if (!definition) return;
    const errors: Record<string, string> = {};
    let input: Record<string, unknown> = {};
    if (fields) {
      for (const [name, field] of fields) {
        const raw = (values[name] ?? '').trim();
        if (!raw) {
          if (definition.inputSchema?.required?.includes(name)) errors[`/${name}`] = 'is required';
          continue;
        }
        const types = Array.isArray(field.type) ? field.type : [field.type];
        if (types.includes('integer') || types.includes('number')) {
          const number = Number(raw);
          if (Number.isNaN(number)) errors[`/${name}`] = 'must be a number';
          else input[name] = number;
        } else input[name] = values[name];
      }
    } else {
      const parsed = parseObject(inputJson, 'The input');
      if (parsed.error) errors.input = parsed.error;
      else input = parsed.value ?? {};
    }
    const preferences = parseObject(preferencesJson, 'Preferences');
    if (preferences.error) errors.preferences = preferences.error;
    setLocalErrors(errors);
    if (Object.keys(errors).length > 0) return;
    const workflowId = await store.start({
      type: definition.type,
      input,
      sessionId: `dashboard-${crypto.randomUUID()}`,
      ...(preferences.value && Object.keys(preferences.value).length
        ? { preferences: preferences.value }
        : {}),
    });
    if (workflowId) navigate(`/runs/${workflowId}`);
  };

  return (
    <section class="panel start-view" aria-labelledby="start-title">
      <h1 id="start-title">Start a workflow</h1>
      {store.loadError.value && (
        <Notice kind="error">Could not load the workflow types: {store.loadError.value}</Notice>
      )}
      {definitions.length === 0 && !store.loadError.value && <p role="status">Loading the workflow types…</p>}
      {definition && (
        <form onSubmit={submit} noValidate>
          <div class="field">
            <label for="start-type">Workflow type</label>
            <select
              id="start-type"
              value={definition.type}
              onChange={(event) => {
                setType(event.currentTarget.value);
                setValues({});
                setLocalErrors({});
                store.fieldErrors.value = [];
              }}
            >
              {definitions.map((candidate) => (
                <option key={candidate.type} value={candidate.type}>
                  {candidate.type}
                </option>
              ))}
            </select>
            <p class="hint" data-testid="type-description">
              {definition.description} ({definition.steps.length} steps)
            </p>
          </div>
          {fields ? (
            fields.map(([name, field]) => {
              const error = errorFor(`/${name}`);
              const isLong = name === 'request' || (field.maxLength ?? 0) > 200;
              const common = {
                id: `input-${name}`,
                name,
                value: values[name] ?? '',
                'aria-invalid': error ? true : undefined,
                'aria-describedby': `input-${name}-hint${error ? ` input-${name}-error` : ''}`,
                onInput: (event: { currentTarget: { value: string } }) =>
                  setValues({ ...values, [name]: event.currentTarget.value }),
              };
              return (
                <div class="field" key={name}>
                  <label for={`input-${name}`}>
                    {name.charAt(0).toUpperCase() + name.slice(1)}
                    {definition.inputSchema?.required?.includes(name) ? ' (required)' : ''}
                  </label>
                  {isLong ? (
                    <textarea rows={4} maxLength={field.maxLength} {...common} />
                  ) : (
                    <input type="text" {...common} />
                  )}
                  <p class="hint" id={`input-${name}-hint`}>
                    {field.description ?? ''}
                  </p>
                  {error && (
                    <p class="field-error" id={`input-${name}-error`} data-testid={`error-${name}`}>
                      {name} {error}
                    </p>
                  )}
                </div>
              );
            })
          ) : (
            <div class="field">
              <label for="input-json">Input (JSON object)</label>
              <textarea
                id="input-json"
                class="mono"
                rows={8}
                value={inputJson}
                aria-invalid={errorFor('input') ? true : undefined}
                aria-describedby={errorFor('input') ? 'input-json-error' : undefined}
                onInput={(event) => setInputJson(event.currentTarget.value)}
              />
              {errorFor('input') && (
                <p class="field-error" id="input-json-error">
                  {errorFor('input')}
                </p>
              )}
            </div>
          )}
          <div class="field">
            <label for="preferences-json">Preferences (JSON object, optional)</label>
            <textarea
              id="preferences-json"
              class="mono"
              rows={4}
              placeholder='{ "style": "minimal" }'
              value={preferencesJson}
              aria-invalid={errorFor('preferences') ? true : undefined}
              aria-describedby={errorFor('preferences') ? 'preferences-error' : undefined}
              onInput={(event) => setPreferencesJson(event.currentTarget.value)}
            />
            {errorFor('preferences') && (
              <p class="field-error" id="preferences-error">
                {errorFor('preferences')}
              </p>
            )}
          </div>
          {store.submitError.value && (
            <Notice kind="error" testId="start-error">
              {store.submitError.value}
              {otherErrors.length > 0 && (
                <ul>
                  {otherErrors.map((error) => (
                    <li key={error.path + error.message}>
                      <code>{error.path || '(input)'}</code> {error.message}
                    </li>
                  ))}
                </ul>
              )}
            </Notice>
          )}
          <button type="submit" class="primary" disabled={store.isSubmitting.value}>
            {store.isSubmitting.value ? 'Starting…' : 'Start'}
          </button>
        </form>
      )}
    </section>
  );
}
