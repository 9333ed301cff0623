export * from './site.repository';
