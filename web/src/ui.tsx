/** Small building blocks shared by the screens: a heading that takes focus, alerts and the erase action. */
import type { ComponentChildren } from 'preact';
import { useLayoutEffect, useRef } from 'preact/hooks';

/**
 * The screen's heading. It takes focus when the screen appears so a screen-reader user hears
 * where they are and keyboard users continue from the top, as on a new page.
 */
export function ScreenHeading(props: { children: ComponentChildren; id?: string; className?: string }) {
  const ref = useRef<HTMLHeadingElement>(null);
  // Layout effect: focus moves in the same frame the screen appears, before anything is typed.
  useLayoutEffect(() => {
    ref.current?.focus();
  }, []);
  return (
    <h1 ref={ref} tabIndex={-1} id={props.id} class={props.className}>
      {props.children}
    </h1>
  );
}

/** A problem the patient needs to know about; announced by screen readers as it appears. */
export function ErrorText(props: { id: string; message: string | undefined }) {
  if (!props.message) return null;
  return (
    <p id={props.id} class="field-error" role="alert">
      <span class="visually-hidden">Error: </span>
      {props.message}
    </p>
  );
}

/** A message about the whole screen (for example the service being unreachable). */
export function ScreenAlert(props: { message: string | undefined }) {
  if (!props.message) return null;
  return (
    <div class="alert" role="alert">
      <p>{props.message}</p>
    </div>
  );
}

/** Joins the ids of the help and error texts that describe an input, skipping absent ones. */
export function describedBy(...ids: (string | false | undefined)[]): string | undefined {
  const present = ids.filter((id): id is string => typeof id === 'string' && id.length > 0);
  return present.length ? present.join(' ') : undefined;
}
