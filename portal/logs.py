import json
import logging


class JsonFormatter(logging.Formatter):
    """One JSON object per line, so log shippers can index fields instead of parsing text."""

    def format(self, record):
        entry = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for attribute in ("status_code", "request_method", "path"):
            if hasattr(record, attribute):
                entry[attribute] = getattr(record, attribute)
        request = getattr(record, "request", None)
        if request is not None and hasattr(request, "path"):
            entry.setdefault("path", request.path)
            entry.setdefault("request_method", request.method)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)
