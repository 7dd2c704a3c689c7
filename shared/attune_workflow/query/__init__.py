"""The editor's questions, answered by the engine without any LSP type.

What is under a cursor and where a name is declared and used (``navigation``), what
a key means (``keys``), where the cursor is in a possibly broken YAML text
(``yamlpath``) and the hover text of names (``docs``): the language server's
features fetch a document, ask here and convert the answer; the CLI and a graph
view can ask the same questions.
"""
