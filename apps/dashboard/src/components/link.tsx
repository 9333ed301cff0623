import type { ComponentChildren } from 'preact';
import { href, navigate } from '../router';

interface LinkProps {
  to: string;
  children: ComponentChildren;
  class?: string;
  tabIndex?: number;
  'aria-current'?: 'page';
  'data-nav-item'?: boolean;
  onClick?: () => void;
}

/** An in-app link: a real href (open in a new tab works), followed without reloading the page. */
export function Link({ to, children, onClick, ...rest }: LinkProps) {
  return (
    <a
      {...rest}
      href={href(to)}
      onClick={(event) => {
        onClick?.();
        if (event.defaultPrevented || event.button !== 0) return;
        if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
        event.preventDefault();
        navigate(to);
      }}
    >
      {children}
    </a>
  );
}
