"""Dashboard pages of User Submissions: the list, the review queue, a submission's detail and
images, and the reviewer's approve / reject (``submissions.dashboard_urls``)."""
