// Package callflow reads, checks and writes the answer to an 8x8
// CALL_ACTION webhook: the callflow a tenant's handler returns, and each
// tenant's configured fallback. Every answer the server sends passes
// through Parse and Encode, so nothing 8x8 would reject ever goes out.
//
// Parse accepts the three shapes a handler may return (an envelope
// {"clientActionId", "callflow"}, a bare array of actions, or one action),
// fills what the script left out from Defaults, checks every rule of
// REFERENCE.md §2-§4, and reports all problems at once, each with the JSON
// path of the offending value and the 8x8 status code it would cause.
// Encode writes the canonical compact form.
//
// # Normalization
//
// A say or sayAndCapture without voiceProfile gets Defaults.VoiceProfile.
// A sayAndCapture always goes out with explicit maxDigits, overallTimeout
// and noOfTries, because 8x8's documented defaults disagree; but a value is
// filled only where that cannot hide the author's mistake. maxDigits is not
// filled when minDigits is given or completeOnHash is false (8x8 requires
// it then: -1003, -1008), and overallTimeout is not filled when
// digitTimeout is given (-1005). noOfTries is always filled.
//
// # Decisions where REFERENCE.md is silent
//
//   - Nothing may follow sayAndCapture. It "belongs at the end" and the
//     digits arrive in the next CALL_ACTION, whose answer is where the next
//     actions go; what 8x8 does with actions after it is undocumented.
//     A hangup there has 8x8's own code -1012; anything else code 0.
//   - clientActionId is a string of at most 128 bytes of printable ASCII
//     (U+0020 to U+007E): it names a step of the call and travels through
//     8x8, logs and headers; call state belongs in ctx.session. null and ""
//     both mean absent.
//   - null is accepted only where REFERENCE.md allows it (successMessage,
//     failureMessage) and for clientActionId; null successMessage or
//     failureMessage is encoded by leaving the param out. An empty
//     successMessage or failureMessage is refused: use null for none.
//   - Text lengths count Unicode code points, not UTF-16 units as
//     JavaScript's length does. successMessage and failureMessage are
//     spoken too, so they share the 1 to 3000 limit of text.
//   - Invalid UTF-8 and unpaired surrogate escapes (JavaScript strings cut
//     through an emoji) become U+FFFD, as in encoding/json, rather than
//     failing the whole call.
//   - Integers must be whole numbers (2.0 is 2) no greater than 2^31-1,
//     the int32 8x8's API reads them as. speed is any number in 0.5..2.0.
//   - An empty or blank voiceProfile is refused rather than replaced.
//   - Phone numbers: an optional +, then 2 to 15 digits, not starting with
//     0 whether or not the + is there (no E.164 number does). No
//     punctuation is stripped: the author is told to remove it.
//   - fileUrl: absolute, http or https, with a host, no whitespace; the
//     file extension is not checked (signed URLs often have none).
//   - hangup's params may be absent or {}; anything else, null included,
//     is refused. It is always encoded without params.
//   - A key appearing twice in one object is refused, not "last wins".
//   - Problems inside callflow[i] carry -1009 (invalid call flow entry)
//     unless a more specific 8x8 code applies; problems of the envelope
//     and of the answer as a whole carry 0, 8x8 having no code for them.
//   - Paths use the envelope form even when the script returned a bare
//     array (callflow[i]) or one action (callflow[0]).
//
// Parse is a hand-written single-pass decoder over the JSON text, with no
// reflection and no intermediate map; a typical IVR answer costs a handful
// of allocations.
package callflow
