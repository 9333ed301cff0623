import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateOpenApiMetadata, METADATA_DIRECTORY, METADATA_FILENAME } from './openapi-metadata.generator';

describe('the generated OpenAPI plugin metadata', () => {
  it('is what the plugin makes of the sources today (if not: npm run docs:metadata)', () => {
    const directory = mkdtempSync(join(tmpdir(), 'openapi-metadata-'));
    try {
      const generated = readFileSync(generateOpenApiMetadata(directory), 'utf8');
      expect(generated).toContain('StartWorkflowRequest');
      expect(generated).toBe(readFileSync(join(METADATA_DIRECTORY, METADATA_FILENAME), 'utf8'));
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  }, 120_000);
});
