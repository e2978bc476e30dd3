"""Exceptions raised by launchwatch.

LaunchwatchError
 +-- DocumentError        a document cannot be read or cleaned; it is recorded
 |    |                   with status `failed` and the batch goes on
 |    +-- ReadError       missing path, unreadable file, unknown extension
 |    +-- TooLargeError   over Settings.max_bytes
 |    +-- BinaryError     not text (NUL bytes, undecodable)
 |    +-- EmptyError      nothing but whitespace
 |    +-- MalformedError  a bad JSON line or manifest entry
 |    +-- NoArticleError  HTML with no article text
 +-- KnowledgeError       a knowledge file is malformed
 +-- StoreError           the database refused an operation
"""


class LaunchwatchError(Exception):
    """Base of every error launchwatch raises on purpose."""


class DocumentError(LaunchwatchError):
    """A document that cannot be turned into an article."""


class ReadError(DocumentError):
    pass


class TooLargeError(DocumentError):
    pass


class BinaryError(DocumentError):
    pass


class EmptyError(DocumentError):
    pass


class MalformedError(DocumentError):
    pass


class NoArticleError(DocumentError):
    pass


class KnowledgeError(LaunchwatchError):
    pass


class StoreError(LaunchwatchError):
    pass
