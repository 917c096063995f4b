"""The reconciliation with the chain partners, in its parts: reading the partners' extracts
(`extracts`), the registry as plain records (`registry`), the comparison (`matching`), the persons
registered by more than one LVV (`duplicates`), the report and its files (`report`,
`report_files`) and the stored latest extract per partner (`storage`). `lvv.exchange.reconcile`
puts them together."""
