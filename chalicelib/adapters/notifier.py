"""Notifications through SNS: SMS to the applicant's contact phone.

The same adapter runs locally, where moto's SNS keeps what was sent (shown by
`GET /dev/outbox`), and in AWS, where SNS delivers the SMS.
"""

from __future__ import annotations

from typing import Any


class SnsNotifier:
    def __init__(self, sns_client: Any, sender_id: str = "SSCARD"):
        self._sns = sns_client
        self._sender_id = sender_id

    def send_sms(self, phone: str, text: str) -> str:
        number = phone if phone.startswith("+") else f"+86{phone}"
        response = self._sns.publish(
            PhoneNumber=number,
            Message=text,
            MessageAttributes={
                "AWS.SNS.SMS.SMSType": {"DataType": "String", "StringValue": "Transactional"},
                "AWS.SNS.SMS.SenderID": {"DataType": "String", "StringValue": self._sender_id},
            },
        )
        return response["MessageId"]
