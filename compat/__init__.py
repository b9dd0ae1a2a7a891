"""The Airflow lines this provider supports, and the checks that prove it on each of them."""
