"""Pages of the implementation tasks: board, list, detail, forms, overview, notifications."""

from __future__ import annotations

from dangjian.access.roles import Action
from dangjian.core.views import ScopedDetailView

from .models import Task


class TaskDetailView(ScopedDetailView):
    model = Task
    action = Action.TASK_VIEW
    template_name = "tasks/task_detail.html"
