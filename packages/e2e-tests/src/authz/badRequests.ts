import { badPathCases } from './badPathCases';
import { BadRequest } from './badRequestGenerators';
import { bodilessRouteCases } from './bodilessRouteCases';
import { bodyRouteCases } from './bodyRouteCases';
import { EntityFixture } from './entityFixture';
import { seededRandom } from './seeded';

export type { BadRequest } from './badRequestGenerators';

/**
 * Every malformed request of the generator, for the fixture's entity. The
 * groups draw from one random source in this order, so a seed gives the same
 * cases.
 */
export function badRequests(f: EntityFixture, seed = 13): BadRequest[] {
  const random = seededRandom(seed);
  return [
    ...bodilessRouteCases(f, random),
    ...badPathCases(f, random),
    ...bodyRouteCases(f, random),
  ];
}
