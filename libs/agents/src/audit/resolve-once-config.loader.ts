import { ConfigData, ResolvedConfig, StaticConfigLoader } from 'html-validate';

/**
 * A static html-validate configuration resolved on first use and reused for every page after.
 * `StaticConfigLoader` resolves it again for each page: it merges the presets and rebuilds and
 * validates the whole table of HTML element metadata, which cost more than validating a page.
 */
export class ResolveOnceConfigLoader extends StaticConfigLoader {
  private resolved: ResolvedConfig | Promise<ResolvedConfig> | null = null;

  override getConfigFor(
    handle: string,
    configOverride?: ConfigData,
  ): ResolvedConfig | Promise<ResolvedConfig> {
    if (configOverride) return super.getConfigFor(handle, configOverride);
    this.resolved ??= super.getConfigFor(handle);
    return this.resolved;
  }

  override flushCache(): void {
    this.resolved = null;
    super.flushCache();
  }

  override setConfig(config: ConfigData): void {
    this.resolved = null;
    super.setConfig(config);
  }
}
