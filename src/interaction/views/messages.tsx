/** The notice after a change and the problem with a form, as every page shows them (announced to screen readers). */
export function Messages({ notice, problem }: { notice?: string | undefined; problem?: string | undefined }) {
  return (
    <>
      {notice !== undefined && (
        <p class="notice" role="status">
          {notice}
        </p>
      )}
      {problem !== undefined && (
        <p class="error" role="alert">
          {problem}
        </p>
      )}
    </>
  );
}
