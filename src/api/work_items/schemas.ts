import { Type } from 'typebox';
import { Serial } from '../schemas.ts';

// The same lists as WORK_ITEM_TYPES / WORK_ITEM_STATES in domain/work_items.ts (spelled out so the types stay literal).
const ItemType = Type.Union([Type.Literal('task'), Type.Literal('bug'), Type.Literal('feature')]);
const ItemState = Type.Union([Type.Literal('new'), Type.Literal('active'), Type.Literal('resolved'), Type.Literal('closed')]);
const Assignee = Type.Union([Type.String({ minLength: 1, maxLength: 100, description: 'user id of a member' }), Type.Null()]);

export const WorkItem = Type.Object({
  id: Type.Integer({ description: 'number within the project' }),
  title: Type.String(),
  type: ItemType,
  state: ItemState,
  assignee: Assignee,
  description: Type.String(),
  revision: Type.Integer({ description: 'also the ETag' }),
  created_by: Type.String(),
  created_at: Type.Integer(),
  updated_at: Type.Integer(),
});

export const WorkItemPage = Type.Object({
  items: Type.Array(WorkItem),
  next: Type.Optional(Type.String({ description: 'URL of the next page; absent on the last page' })),
});

export const NewWorkItem = Type.Object(
  {
    title: Type.String({ minLength: 1, maxLength: 200 }),
    type: Type.Optional(ItemType),
    state: Type.Optional(ItemState),
    assignee: Type.Optional(Assignee),
    description: Type.Optional(Type.String({ maxLength: 20000 })),
  },
  { additionalProperties: false },
);

export const WorkItemPatch = Type.Object(
  {
    title: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    type: Type.Optional(ItemType),
    state: Type.Optional(ItemState),
    assignee: Type.Optional(Assignee),
    description: Type.Optional(Type.String({ maxLength: 20000 })),
  },
  { additionalProperties: false, minProperties: 1 },
);

export const WorkItemQuery = Type.Object(
  {
    state: Type.Optional(ItemState),
    type: Type.Optional(ItemType),
    assignee: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'a user id, or "me"' })),
    cursor: Type.Optional(Type.String({ maxLength: 40 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 50 })),
  },
  { additionalProperties: false },
);

const Segment = Type.String({ minLength: 1, maxLength: 39 });
export const ItemParams = Type.Object({ org: Segment, project: Segment, id: Serial }, { additionalProperties: false });

export const Comment = Type.Object({ id: Type.String(), author: Type.String(), body: Type.String(), created_at: Type.Integer() });
export const CommentList = Type.Object({ items: Type.Array(Comment) });
export const NewComment = Type.Object({ body: Type.String({ minLength: 1, maxLength: 10000 }) }, { additionalProperties: false });
