"""One send path per bot message, whatever part of it Rasa hands over."""

from __future__ import annotations

from typing import Any


class WholeMessageOutput:
    """Routes Rasa's per-part sends (text alone, custom JSON alone) through the
    channel's ``send_response``, so each message is shaped in one place only."""

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        raise NotImplementedError

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        await self.send_response(recipient_id, {"text": text})

    async def send_custom_json(
        self, recipient_id: str, json_message: dict[str, Any], **kwargs: Any
    ) -> None:
        await self.send_response(recipient_id, {"custom": json_message})
