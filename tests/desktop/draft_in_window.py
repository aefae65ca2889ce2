"""Run by test_window_lifecycle.py in a child process: the real window drafts the quick
template on the demo library; the first section is answered, the second never is (the model
hangs), so that the test can kill the process mid-draft. Not a test module."""

from __future__ import annotations

import os
import sys
import threading

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from gui_helpers import BLACKLIST, TOPIC, Quoting, replay_model

from desktop.app import application, create_window


def hang(messages, schema):
    print("HANGING", flush=True)
    threading.Event().wait()  # a model that never answers: the process gets killed here


def main() -> int:
    app = application()
    model = replay_model({"Key developments": Quoting(BLACKLIST), "Outlook": hang})
    window = create_window(model_opener=lambda settings: model)
    window.show()

    def imported(_done: object) -> None:
        pane = window.briefing_pane
        pane.topic_edit.setText(TOPIC)
        pane.template_combo.setCurrentIndex(pane.template_combo.findData(sys.argv[1]))
        window.briefing.draft()

    window.library.importFinished.connect(imported)
    window.library.opened.connect(lambda _: window.import_demo())
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
