// Decisions of the hospital council (pallet-collective, 2/3 of the seats),
// as validators' accounts make them in Polkadot.js Apps: propose, vote, close.

import { submit, eventsOf, errorName } from '../../tests/integration/lib/chain.js';

/**
 * Pass `call` by a council motion: `members[0]` proposes it, members vote
 * aye in order until 2/3 of the seats agree, and the proposer closes it. Resolves
 * once the close is finalized, with the events of its block; rejects with
 * the error's name if the call failed when executed.
 */
export async function councilMotion(api, call, members) {
  const seats = (await api.query.council.members()).length;
  const threshold = Math.ceil((2 * seats) / 3);
  if (members.length < threshold) throw new Error(`${threshold} of ${seats} seats must agree; ${members.length} given`);
  const [proposer] = members;
  const lengthBound = call.method.encodedLength;
  const { weight } = await call.paymentInfo(proposer.address);

  const { events } = await submit(api, api.tx.council.propose(threshold, call.method, lengthBound), proposer);
  const [proposed] = eventsOf(api, events, 'council', 'Proposed');
  const { proposalIndex, proposalHash } = proposed.data;
  // The proposer votes like any member: a proposal carries no vote of its own.
  for (const voter of members.slice(0, threshold)) {
    await submit(api, api.tx.council.vote(proposalHash, proposalIndex, true), voter);
  }
  const closed = await submit(api, api.tx.council.close(proposalHash, proposalIndex, weight, lengthBound), proposer, { finalized: true });
  const [executed] = eventsOf(api, closed.events, 'council', 'Executed');
  if (!executed) throw new Error('the motion was not executed');
  const result = executed.data.result;
  if (result.isErr) throw new Error(errorName(api, result.asErr));
  return closed;
}
