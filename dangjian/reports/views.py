"""Pages of this app: meeting documents, ledgers and the news draft."""

from django.http import HttpResponse
from django.views import View


class _Stub(View):
    def get(self, request, *args, **kwargs):
        return HttpResponse(status=501)


class MeetingMinutesView(_Stub):
    pass


class MeetingAttendanceSheetView(_Stub):
    pass


class MeetingSigninSheetView(_Stub):
    pass


class MeetingNewsDraftView(_Stub):
    pass


class MeetingLedgerView(_Stub):
    pass


class TopicLedgerView(_Stub):
    pass


class TaskLedgerView(_Stub):
    pass
