import type { CheckType } from '../../config/checks.ts';
import { WALK_FIELDS, validateWalk } from '../../config/walk.ts';

/** golden_path: the walk settings and nothing else. */
export const GOLDEN_PATH_CONFIG: CheckType = {
  fields: WALK_FIELDS,
  description: 'Connect, wait for the welcome, send one chat message, expect the agent events in order.',
  validate(s, common) {
    const walk = validateWalk(s, common);
    return walk === undefined ? undefined : { ...walk, type: 'golden_path' };
  },
};
