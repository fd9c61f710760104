/** Pieces the organization pages share. */
import { VerifiedMark } from '../views/app_identity.tsx';

/** "by X" and the verified mark, as the approval page shows them (SECURITY 27). */
export function PublisherLine({ publisher, verified }: { publisher: string; verified: boolean }) {
  return (
    <span class="publisher">
      by {publisher} <VerifiedMark verified={verified} />
    </span>
  );
}
