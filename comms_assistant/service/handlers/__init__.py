"""One handler per command: `table.HANDLERS` names the function that carries out each type.

A handler is a short function of (command, context): the context carries the transaction, who
asked, the incident chosen for it and the ports (the delivery planner, the clock's time, the
wording check). `table.dispatch` chooses the incident and applies the wording check first.
"""
