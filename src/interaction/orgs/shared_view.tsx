/** Pieces the organization pages share. */

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

/** "Published by X" and the verified mark, as the approval page shows them (SECURITY 27). */
export function PublisherLine({ publisher, verified }: { publisher: string; verified: boolean }) {
  return (
    <span class="publisher">
      by {publisher} {verified ? <span class="verified">Verified publisher</span> : <span class="unverified">Unverified publisher</span>}
    </span>
  );
}
