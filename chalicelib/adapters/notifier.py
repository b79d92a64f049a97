"""Notifications through SNS: SMS to the applicant's contact phone.

The same adapter runs locally, where moto's SNS keeps what was sent (shown by
`GET /dev/outbox`), and in AWS, where SNS delivers the SMS.
"""

from __future__ import annotations

from typing import Any


class SnsNotifier:
    def __init__(self, sns_client: Any, department_topic_arn: str, sender_id: str = "SSCARD"):
        self._sns = sns_client
        self._department_topic_arn = department_topic_arn
        self._sender_id = sender_id

    def alert_department(self, department: str, district: str, level: str, subject: str, text: str) -> str:
        """One alert on the departments' topic; subscribers filter on department and district."""
        response = self._sns.publish(
            TopicArn=self._department_topic_arn,
            Subject=subject[:100],
            Message=text,
            MessageAttributes={
                "department": {"DataType": "String", "StringValue": department},
                "district": {"DataType": "String", "StringValue": district or "-"},
                "level": {"DataType": "String", "StringValue": level},
            },
        )
        return response["MessageId"]

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
