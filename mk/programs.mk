# mk/programs.mk: the real programs (lesson06_benchmark): their test and objects.
