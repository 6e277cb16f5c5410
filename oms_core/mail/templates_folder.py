"""Mail templates: the office's own files when it has them, else the ones shipped with oms."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from oms_core.domain.errors import OmsError
from oms_core.domain.mail import MailKind
from oms_core.ports import MailTemplates


class TemplateFolder(MailTemplates):
    """Reads ``<kind>.txt`` from the office's folder, falling back to oms's own template.

    Args:
        folder: the office's template folder (``[mail] templates`` in the configuration), or
            ``None`` to use oms's templates only. A file there replaces the shipped one of that name.
    """

    def __init__(self, folder: Path | None = None) -> None:
        self.folder = folder

    def template(self, kind: MailKind) -> str:
        """The text of ``kind``'s template.

        Raises:
            OmsError: the office's file exists but cannot be read as UTF-8 text.
        """
        name = f"{kind.value}.txt"
        if self.folder is not None:
            own = self.folder / name
            if own.is_file():
                try:
                    return own.read_text(encoding="utf-8")
                except (OSError, UnicodeDecodeError) as exc:
                    raise OmsError(f"cannot read the mail template {own}: {exc}") from None
        return resources.files("oms_core.mail").joinpath("templates", name).read_text(encoding="utf-8")
