// The one process-wide libsecp256k1 context, for this module's .cpp files only.
#pragma once

// Forward declaration so this header does not pull in <secp256k1.h>; it is the struct that
// libsecp256k1's `secp256k1_context` typedef names.
struct secp256k1_context_struct;

namespace eo::bitcoin::detail {

// Created and randomized on first use (thread-safe static initialization) and never modified
// afterwards, so concurrent const use from any thread is safe. Never destroyed.
const secp256k1_context_struct* secp_context();

}  // namespace eo::bitcoin::detail
