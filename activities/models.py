"""What happens in the branch: events, attendance, appeals, care visits and red-flag work.

The models arrive with the features that record them (see the open issues); the app exists from the
start so that the folder layout tells a newcomer where that work will live.
"""
