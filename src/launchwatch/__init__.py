"""launchwatch: news reports of missile launches -> a sourced event database."""
from launchwatch.records import Article, Event, Evidence, RawDocument, document_object
from launchwatch.settings import Settings

__version__ = "0.1.0"
__all__ = ["Article", "Event", "Evidence", "RawDocument", "Settings", "document_object", "__version__"]
