"""The import of a delivery file, in its parts: the result (`result`), the bulk writes (`bulk`), who
each delivered person is (`persons`), whether a person's trajectories follow each other and the stage
each gets (`sequences`), the checks that need the registry (`plan`), the trajectory file's writes
(`trajectory_writes`) and the capacity file's (`capacity`). `lvv.exchange.imports` puts them
together."""
