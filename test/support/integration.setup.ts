// Integration and end-to-end specs start real processes and wait on real services.
jest.setTimeout(180_000);
