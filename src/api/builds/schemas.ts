import { Type } from 'typebox';
import { Serial } from '../schemas.ts';
import { MAX_SLEEP_MS, MAX_STEPS } from '../../domain/builds.ts';

const Name = Type.String({ minLength: 1, maxLength: 100, pattern: '^[A-Za-z0-9._-]+$' });
/** One line of text: no control characters, so a log line stays one line. */
const Line = (maxLength: number) => Type.String({ minLength: 1, maxLength, pattern: '^[^\\x00-\\x1f\\x7f]+$' });
const FilePath = Type.String({ minLength: 1, maxLength: 500, description: 'a file, or a directory and everything under it' });

/**
 * A built-in step as one flat object; which members a kind takes is checked after the schema
 * (domain/builds.ts checkSteps), so a mistake is reported by name rather than as "matches no
 * variant of a union".
 */
export const Step = Type.Object(
  {
    // The same list as STEP_KINDS in domain/builds.ts (spelled out so the types stay literal).
    run: Type.Union([Type.Literal('checkout'), Type.Literal('require-file'), Type.Literal('forbid-text'), Type.Literal('count-lines'), Type.Literal('echo'), Type.Literal('sleep'), Type.Literal('fail')], {
      description:
        'checkout: load the repository at the build\'s commit (needed before the steps that read files) · require-file {path}: fail unless the file exists · ' +
        'forbid-text {text, path?}: fail if a file (under path) contains the text, matched literally; the log names file:line · ' +
        'count-lines {path?}: log the line count of each file (under path) and the total · echo {message}: write the message to the log · ' +
        `sleep {ms}: wait, at most ${MAX_SLEEP_MS} ms (for demonstrations) · fail {message?}: fail the build (for demonstrations)`,
    }),
    path: Type.Optional(FilePath),
    text: Type.Optional(Line(200)),
    message: Type.Optional(Line(500)),
    ms: Type.Optional(Type.Integer({ minimum: 0, maximum: MAX_SLEEP_MS })),
  },
  { additionalProperties: false, description: 'a built-in step, run by Tessera itself; nothing user-supplied is executed' },
);

export const Definition = Type.Object({
  name: Type.String(),
  repository: Type.String({ description: 'a repository of the same organization' }),
  branch: Type.String(),
  steps: Type.Array(Step),
  created_by: Type.String(),
  created_at: Type.Integer(),
});
export const DefinitionList = Type.Object({ items: Type.Array(Definition) });

export const NewDefinition = Type.Object(
  {
    name: Name,
    repository: Name,
    branch: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: "default: the repository's default branch" })),
    steps: Type.Array(Step, { minItems: 1, maxItems: MAX_STEPS }),
  },
  { additionalProperties: false },
);

const Status = Type.Union([Type.Literal('queued'), Type.Literal('running'), Type.Literal('succeeded'), Type.Literal('failed')]);
const Time = Type.Union([Type.Integer(), Type.Null()]);

export const Build = Type.Object({
  id: Type.Integer({ description: 'number within the project' }),
  definition: Type.String(),
  status: Status,
  branch: Type.String(),
  commit: Type.String({ description: 'the commit the build runs against, pinned when queued' }),
  queued_by: Type.String(),
  queued_at: Type.Integer(),
  started_at: Time,
  finished_at: Time,
  attempts: Type.Integer({ description: 'runner claims; more than 1 when a runner was lost and another took over' }),
  result: Type.Union([Type.String(), Type.Null()], { description: 'why it failed, in one line' }),
});

export const BuildPage = Type.Object({
  items: Type.Array(Build),
  next: Type.Optional(Type.String({ description: 'URL of the next (older) page; absent on the last page' })),
});

export const QueueBuild = Type.Object(
  {
    definition: Name,
    branch: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: "default: the definition's branch" })),
  },
  { additionalProperties: false },
);

export const BuildQuery = Type.Object(
  {
    definition: Type.Optional(Name),
    status: Type.Optional(Status),
    cursor: Type.Optional(Type.String({ maxLength: 40 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 50 })),
  },
  { additionalProperties: false },
);

const Segment = Type.String({ minLength: 1, maxLength: 39 });
export const DefinitionParams = Type.Object({ org: Segment, project: Segment, definition: Name }, { additionalProperties: false });
export const BuildParams = Type.Object({ org: Segment, project: Segment, id: Serial }, { additionalProperties: false });

/** The log as text/plain (OpenAPI 3.1 content), not JSON. */
export const LogResponse = {
  description: 'One line per event, oldest first: `TIME TEXT`, TIME in ISO 8601 UTC; a retried build shows every attempt in order',
  content: { 'text/plain': { schema: { type: 'string' } } },
} as const;
