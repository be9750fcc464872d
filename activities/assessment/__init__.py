"""The quarterly target-management assessment (目标管理考核): what is measured (`rules`), the
default scheme (`defaults`), the scores of a quarter (`scores`). Changes — adjusting, deducting,
locking, editing the scheme — are in activities/services/assessment.py."""
