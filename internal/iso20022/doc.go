// Package iso20022 reads the camt.054 and camt.053 files Finnish banks send about incoming payments and writes the pain.001.001.03 files that pay benefits out, streaming both so that a million entries fit in constant memory.
package iso20022
