import axe from 'axe-core';
import { DOMWindow, JSDOM } from 'jsdom';

type AxeWindow = DOMWindow & { axe: typeof axe };

/**
 * A page without a doctype is in quirks mode, where class selectors ignore case. jsdom's selector
 * engine reads the mode once per document, when it first matches a selector there, so each mode
 * needs a window of its own for stylesheets to apply to a page as they would in its own window.
 */
type CompatibilityMode = 'standards' | 'quirks';

/**
 * Runs axe-core on parsed pages inside jsdom windows prepared once: axe's source is evaluated into
 * a window the first time a page needs it, and each page is then copied into that window's
 * document, at the page's own URL, and checked there. A fresh window per page made every page pay
 * for a new VM context and for compiling axe again, and axe's code never got warm.
 */
export class AxeRunner {
  private readonly windows = new Map<CompatibilityMode, AxeWindow>();
  /** axe and the page it checks live in its window's globals, so runs must not overlap. */
  private queue: Promise<unknown> = Promise.resolve();

  /** Checks `page` as though it had been loaded from `url`; runs wait for earlier ones to finish. */
  run(page: Document, url: string, options: axe.RunOptions, signal?: AbortSignal): Promise<axe.AxeResults> {
    const run = this.queue.then(() => {
      signal?.throwIfAborted();
      return this.runNow(page, url, options);
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Releases the windows once the runs already asked for have finished; a later run prepares anew. */
  close(): void {
    this.queue = this.queue.then(() => {
      for (const window of this.windows.values()) window.close();
      this.windows.clear();
    });
  }

  private async runNow(page: Document, url: string, options: axe.RunOptions): Promise<axe.AxeResults> {
    const mode = page.doctype ? 'standards' : 'quirks';
    const window = this.windowFor(mode);
    // Same origin as the window's first URL, so only the path changes; axe compares links with it.
    window.history.replaceState(null, '', url);
    copyPage(page, window.document);
    try {
      return await window.axe.run(window.document, options);
    } finally {
      if (window.length > 0) {
        // jsdom keeps the window of every frame a page opened, with its VM context, for as long
        // as the parent window lives, so a window that has shown frames is not reused.
        window.close();
        this.windows.delete(mode);
      } else {
        // The page's nodes would otherwise stay alive until the next run.
        clearRoot(window.document.documentElement);
      }
    }
  }

  private windowFor(mode: CompatibilityMode): AxeWindow {
    let window = this.windows.get(mode);
    if (!window) {
      const doctype = mode === 'standards' ? '<!DOCTYPE html>' : '';
      window = new JSDOM(`${doctype}<html><head></head><body></body></html>`, {
        runScripts: 'outside-only',
        url: 'http://site.invalid/',
      }).window as AxeWindow;
      window.eval(axe.source);
      this.windows.set(mode, window);
    }
    return window;
  }
}

/**
 * Makes `target` a copy of `page`, keeping the target's root element: jsdom's selector engine
 * remembers a document's root, and `:root` in a page's stylesheet must still match it.
 */
function copyPage(page: Document, target: Document): void {
  const root = target.documentElement;
  for (const node of [...target.childNodes]) if (node !== root) node.remove();
  clearRoot(root);
  let isBeforeRoot = true;
  for (const node of page.childNodes) {
    if (node === page.documentElement) {
      isBeforeRoot = false;
      continue;
    }
    target.insertBefore(target.importNode(node, true), isBeforeRoot ? root : null);
  }
  // Attribute nodes, not setAttribute: the parser keeps names that setAttribute would reject.
  for (const attribute of page.documentElement.attributes)
    root.setAttributeNode(target.importNode(attribute));
  root.append(...[...page.documentElement.childNodes].map((node) => target.importNode(node, true)));
}

function clearRoot(root: HTMLElement): void {
  for (const attribute of [...root.attributes]) root.removeAttributeNode(attribute);
  root.replaceChildren();
}
