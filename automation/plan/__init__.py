"""The plan of events: its model (``model``), reading and validating the file (``load``), the dated
actions it becomes (``actions``), their status in the ledger (``status``) and the next quarter's draft
(``draft``)."""
